# What reports gained after 0.1.0: export formats, report text, Easy Read, final versions, themes
# across recommendations, report choices. Squashed before release; it replaces the steps made on the
# way, so a database that took them is left as it is.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('synthesis', '0005_export_formats'), ('synthesis', '0006_report_text'), ('synthesis', '0007_finding_easy_read'), ('synthesis', '0008_export_docx'), ('synthesis', '0009_report_versions'), ('synthesis', '0010_themes_span_recommendations'), ('synthesis', '0011_report_choices_workshop_text_easy_read')]

    dependencies = [
        ('participants', '0004_personal_data_masking'),
        ('synthesis', '0004_theme_author_optional'),
        ('workshops', '0007_spotlight_moves_to_facilitation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='finding',
            name='easy_read',
            field=models.CharField(blank=True, help_text='The finding in one short sentence of everyday words, for the Easy Read version.', max_length=200, verbose_name='Easy Read sentence'),
        ),
        migrations.RemoveField(
            model_name='theme',
            name='recommendation',
        ),
        migrations.CreateModel(
            name='ReportVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('file', models.FileField(upload_to='reports/')),
                ('fingerprint', models.CharField(max_length=64)),
                ('contributions', models.PositiveIntegerField()),
                ('votes', models.PositiveIntegerField()),
                ('unconfirmed', models.PositiveIntegerField(help_text='Items printed in its body whose class no analyst had confirmed.')),
                ('finalised', models.DateTimeField(auto_now_add=True)),
                ('finalised_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('series', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_versions', to='workshops.series')),
                ('easy_read_file', models.FileField(blank=True, upload_to='reports/')),
            ],
            options={
                'ordering': ['-number'],
                'constraints': [models.UniqueConstraint(fields=('series', 'number'), name='report_version_unique')],
            },
        ),
        migrations.AlterField(
            model_name='judgement',
            name='contribution',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='%(class)s', to='participants.contribution'),
        ),
        migrations.AlterField(
            model_name='judgement',
            name='theme',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='%(class)s', to='synthesis.theme'),
        ),
        migrations.AlterField(
            model_name='reportexport',
            name='kind',
            field=models.CharField(choices=[('pdf', 'Report (PDF)'), ('easy_read', 'Easy Read report (PDF)'), ('docx', 'Report (Word)'), ('contributions_csv', 'Contributions (CSV)'), ('votes_csv', 'Votes (CSV)'), ('xlsx', 'Contributions and votes (Excel)'), ('polis', 'Contributions and votes for Pol.is tools (ZIP of CSV files)')], max_length=20),
        ),
        migrations.CreateModel(
            name='ReportText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('background', models.TextField(blank=True, verbose_name='Background and purpose')),
                ('recruitment', models.TextField(blank=True, help_text='Printed in the method.', verbose_name='How people were recruited')),
                ('summary', models.TextField(blank=True, verbose_name='Executive summary')),
                ('caveats', models.TextField(blank=True, default='The people who took part chose to come, and the groups were not equal in size: what they said shows where the groups that were there agree and differ, not the views of everyone in each group. Each post was voted on only in the workshop where it was made, and many rest on a few votes per group; the method section says how many.')),
                ('next_steps', models.TextField(blank=True, verbose_name='Next steps')),
                ('updated', models.DateTimeField(auto_now=True)),
                ('series', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_texts', to='workshops.series')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workshop', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='report_text', to='workshops.workshop')),
            ],
            options={
                'constraints': [models.UniqueConstraint(condition=models.Q(('workshop__isnull', True)), fields=('series',), name='one_report_text_per_series')],
            },
        ),
        migrations.CreateModel(
            name='ReportChoice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(auto_now=True)),
                ('choice', models.CharField(choices=[('pinned', 'Always print in the report'), ('left_out', 'Leave out of the report')], max_length=10)),
                ('contribution', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='%(class)s', to='participants.contribution')),
                ('decided_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('series', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_choices', to='workshops.series')),
                ('theme', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='%(class)s', to='synthesis.theme')),
            ],
            options={
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('contribution__isnull', False), ('theme__isnull', True)), models.Q(('contribution__isnull', True), ('theme__isnull', False)), _connector='OR'), name='reportchoice_of_one_item')],
            },
        ),
    ]
