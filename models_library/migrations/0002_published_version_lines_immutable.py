from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("models_library", "0001_initial")]

    operations = []
