from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("models_library", "0002_published_version_lines_immutable")]

    operations = []
