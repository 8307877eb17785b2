"""The reply queue's models, moved here from the mailbox app with their tables: only Django's
idea of which app holds them changes; the database is not touched (inbox 0010 lets go)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('inbox', '0009_mail_action_open'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReplyTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('purpose', models.CharField(choices=[('reply', 'A reply'), ('holding', 'Holding reply while asking the owner')], default='reply', max_length=8)),
                        ('language', models.CharField(blank=True, help_text='e.g. en, de, ja; empty = any', max_length=8)),
                        ('body', models.TextField()),
                        ('order', models.PositiveIntegerField(default=100)),
                    ],
                    options={
                        'db_table': 'inbox_replytemplate',
                        'ordering': ['order', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='Conversation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('relay_address', models.CharField(max_length=320)),
                        ('order_id', models.CharField(blank=True, max_length=19)),
                        ('buyer_name', models.CharField(max_length=255)),
                        ('marketplace', models.CharField(blank=True, max_length=20)),
                        ('language', models.CharField(blank=True, max_length=8)),
                        ('state', models.CharField(choices=[('waiting', 'Waiting for a reply'), ('answered', 'Answered')], default='waiting', max_length=8)),
                        ('waiting_since', models.DateTimeField(blank=True, null=True)),
                        ('due_at', models.DateTimeField(blank=True, null=True)),
                        ('last_message_at', models.DateTimeField(blank=True, null=True)),
                        ('near_limit_told_at', models.DateTimeField(blank=True, null=True)),
                        ('draft', models.TextField(blank=True)),
                    ],
                    options={
                        'db_table': 'inbox_conversation',
                        'ordering': ['due_at', '-last_message_at'],
                        'indexes': [models.Index(fields=['state', 'due_at'], name='conversation_clock')],
                        'constraints': [models.UniqueConstraint(fields=('relay_address', 'order_id'), name='one_conversation_per_buyer_and_order')],
                    },
                ),
                migrations.CreateModel(
                    name='Reply',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('reply', 'Reply'), ('holding', 'Holding reply (asking the owner)')], default='reply', max_length=8)),
                        ('from_address', models.CharField(max_length=320)),
                        ('to', models.CharField(max_length=320)),
                        ('subject', models.CharField(max_length=998)),
                        ('body', models.TextField()),
                        ('header_message_id', models.CharField(max_length=255, unique=True)),
                        ('in_reply_to', models.CharField(blank=True, max_length=998)),
                        ('references', models.TextField(blank=True)),
                        ('state', models.CharField(choices=[('sending', 'Sending'), ('sent', 'Accepted by the mail server'), ('failed', 'Not sent')], default='sending', max_length=8)),
                        ('error', models.TextField(blank=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('conversation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replies', to='buyers.conversation')),
                        ('message', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='replies', to='inbox.message')),
                        ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'inbox_reply',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='BuyerMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('buyer_name', models.CharField(max_length=255)),
                        ('relay_address', models.CharField(db_index=True, max_length=320)),
                        ('order_id', models.CharField(blank=True, db_index=True, max_length=19)),
                        ('marketplace', models.CharField(blank=True, max_length=20)),
                        ('text', models.TextField(blank=True)),
                        ('received_at', models.DateTimeField()),
                        ('answered_at', models.DateTimeField(blank=True, null=True)),
                        ('no_response_why', models.CharField(blank=True, max_length=255)),
                        ('message', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='buyer', to='inbox.message')),
                        ('no_response_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('conversation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='buyers.conversation')),
                        ('answered_by_reply', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='answers', to='buyers.reply')),
                    ],
                    options={
                        'db_table': 'inbox_buyermessage',
                        'ordering': ['received_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ReplyAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('filename', models.CharField(max_length=255)),
                        ('content_type', models.CharField(max_length=100)),
                        ('size', models.PositiveIntegerField()),
                        ('content', models.BinaryField()),
                        ('reply', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='buyers.reply')),
                    ],
                    options={
                        'db_table': 'inbox_replyattachment',
                    },
                ),
            ],
            database_operations=[],
        )
    ]
