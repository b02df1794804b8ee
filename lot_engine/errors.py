"""The one error the engine raises for input that breaks the contract."""

from __future__ import annotations


class LotEngineInputError(ValueError):
    """The input breaks the contract; nothing was applied.

    ``transaction_id`` names the offending transaction (``None`` for a file-level field
    or a transaction without an id, in which case ``index`` gives its position), and
    ``field`` the field at fault, e.g. ``quantity`` or ``lots[0].lot``. Retrying the same
    input cannot help.
    """

    def __init__(
        self,
        *,
        field: str,
        message: str,
        transaction_id: str | None = None,
        index: int | None = None,
    ) -> None:
        self.field = field
        self.message = message
        self.transaction_id = transaction_id
        self.index = index
        super().__init__(self._describe())

    def _describe(self) -> str:
        if self.transaction_id is not None:
            where = f"transaction {self.transaction_id!r}, field {self.field!r}"
        elif self.index is not None:
            where = f"transactions[{self.index}] (no id), field {self.field!r}"
        else:
            where = f"field {self.field!r}"
        return f"{where}: {self.message}"
