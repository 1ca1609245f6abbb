"""Reader revenue's models, moved here from the newsroom app.

State only: newsroom/0005 renamed the tables to these names, with their
rows; 0002 moves the content types, and so the permissions, after them.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('issues', '0002_editorial_groups'),
        ('newsroom', '0006_reader_revenue_moves_to_fundraising'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DonatePage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('appeal', models.TextField(blank=True, help_text='Why readers should give; paragraphs separated by blank lines. A campaign may replace it with its own.')),
                        ('fallback_url', models.URLField(blank=True, help_text='A general checkout link shown when no campaign is running.', max_length=1000, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='way to give without a campaign')),
                        ('fallback_label', models.CharField(default='Give now', max_length=60)),
                        ('thank_you_title', models.CharField(default='Thank you', max_length=200)),
                        ('thank_you_text', models.TextField(default='Your gift keeps independent reporting alive. A receipt is on its way from our payment processor.', help_text='Shown at /donate/thanks/, where the processor sends donors back.')),
                    ],
                    options={
                        'verbose_name': 'donate page',
                        'verbose_name_plural': 'donate page',
                    },
                ),
                migrations.CreateModel(
                    name='Campaign',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text='For editors; not shown.', max_length=200)),
                        ('slug', models.SlugField(max_length=100, unique=True)),
                        ('appeal', models.TextField(blank=True, help_text="Leave empty to use the donate page's appeal.")),
                        ('goal', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('1'))])),
                        ('currency', models.CharField(default='USD', max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Use a three-letter ISO 4217 code in capitals, such as USD.')])),
                        ('raised_offline', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='Gifts not in any imported file; imported donations add to it.', max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='raised outside imported donations')),
                        ('supporters_offline', models.PositiveIntegerField(default=0, help_text='Supporters not in any imported file; each imported donation adds one.', verbose_name='supporters outside imported donations')),
                        ('starts_on', models.DateField(default=django.utils.timezone.localdate)),
                        ('ends_on', models.DateField(blank=True, help_text='Leave empty for a campaign with no end date.', null=True)),
                        ('is_active', models.BooleanField(default=True, help_text='Untick to close the campaign at once: its checkout links disappear.', verbose_name='active')),
                        ('custom_amount_url', models.URLField(blank=True, help_text='A checkout where donors choose their own amount.', max_length=1000, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='custom amount URL')),
                        ('custom_amount_label', models.CharField(default='Give another amount', max_length=60)),
                    ],
                    options={
                        'ordering': ['-starts_on', '-pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('ends_on__isnull', True), ('ends_on__gte', models.F('starts_on')), _connector='OR'), name='campaign_ends_after_it_starts'), models.CheckConstraint(condition=models.Q(('goal__gt', 0)), name='campaign_goal_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='FAQItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField(default=0)),
                        ('question', models.CharField(max_length=300)),
                        ('answer', models.TextField(help_text='Plain text; paragraphs separated by blank lines.')),
                        ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='faq_items', to='fundraising.donatepage')),
                    ],
                    options={
                        'verbose_name': 'FAQ item',
                        'ordering': ['position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='OtherWay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField(default=0)),
                        ('title', models.CharField(max_length=200)),
                        ('description', models.TextField(blank=True)),
                        ('url', models.URLField(blank=True, max_length=1000, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='URL')),
                        ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='other_ways_to_give', to='fundraising.donatepage')),
                    ],
                    options={
                        'verbose_name': 'other way to give',
                        'verbose_name_plural': 'other ways to give',
                        'ordering': ['position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='DonateClick',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('via', models.CharField(choices=[('issue', 'Issue page'), ('story', 'Story page'), ('series', 'Series page')], max_length=10)),
                        ('day', models.DateField()),
                        ('count', models.PositiveIntegerField(default=0)),
                        ('issue', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='donate_clicks', to='issues.issue')),
                        ('series', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='donate_clicks', to='issues.series')),
                    ],
                    options={
                        'verbose_name': 'donate clicks',
                        'verbose_name_plural': 'donate clicks',
                        'ordering': ['-day'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('issue__isnull', False)), fields=('issue', 'via', 'day'), name='donate_click_one_row_per_issue_day'), models.UniqueConstraint(condition=models.Q(('series__isnull', False)), fields=('series', 'day'), name='donate_click_one_row_per_series_day'), models.CheckConstraint(condition=models.Q(models.Q(('issue__isnull', False), ('series__isnull', True), ('via__in', ['issue', 'story'])), models.Q(('issue__isnull', True), ('series__isnull', False), ('via', 'series')), _connector='OR'), name='donate_click_from_issue_or_series')],
                    },
                ),
                migrations.CreateModel(
                    name='Donation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('transaction_id', models.CharField(max_length=255, unique=True, verbose_name='transaction id')),
                        ('received_on', models.DateField()),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                        ('currency', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Use a three-letter ISO 4217 code in capitals, such as USD.')])),
                        ('donor_name', models.CharField(blank=True, max_length=200)),
                        ('listed', models.BooleanField(default=False, help_text="Show the donor's name on the supporters wall.", verbose_name='consented to be listed')),
                        ('imported_at', models.DateTimeField(auto_now_add=True)),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='donations', to='fundraising.campaign')),
                    ],
                    options={
                        'ordering': ['-received_on', '-pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='donation_amount_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='Tier',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField(default=0)),
                        ('label', models.CharField(help_text='E.g. “Reader” or “Patron”.', max_length=100)),
                        ('description', models.CharField(blank=True, max_length=300)),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                        ('frequency', models.CharField(choices=[('one_time', 'One-time'), ('monthly', 'Monthly')], default='one_time', max_length=10)),
                        ('checkout_url', models.URLField(help_text="The processor's hosted checkout for this amount (http or https).", max_length=1000, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='checkout URL')),
                        ('most_popular', models.BooleanField(default=False, verbose_name='most popular')),
                        ('is_visible', models.BooleanField(default=True, help_text='Hidden tiers are kept for the record but offer no checkout link.', verbose_name='visible')),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tiers', to='fundraising.campaign')),
                    ],
                    options={
                        'ordering': ['campaign', 'frequency', 'position', 'amount'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='tier_amount_positive')],
                    },
                ),
            ],
        ),
    ]
