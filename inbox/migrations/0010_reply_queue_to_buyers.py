"""The reply queue's models moved to the buyers app (buyers 0001), keeping their tables:
the mailbox app forgets them without dropping anything."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('buyers', '0001_initial'),
        ('escalations', '0005_conversation_in_buyers'),
        ('inbox', '0009_mail_action_open'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='buyermessage',
                    name='answered_by_reply',
                ),
                migrations.RemoveField(
                    model_name='buyermessage',
                    name='conversation',
                ),
                migrations.RemoveField(
                    model_name='buyermessage',
                    name='message',
                ),
                migrations.RemoveField(
                    model_name='buyermessage',
                    name='no_response_by',
                ),
                migrations.RemoveField(
                    model_name='reply',
                    name='conversation',
                ),
                migrations.RemoveField(
                    model_name='reply',
                    name='message',
                ),
                migrations.RemoveField(
                    model_name='reply',
                    name='sent_by',
                ),
                migrations.RemoveField(
                    model_name='replyattachment',
                    name='reply',
                ),
                migrations.DeleteModel(
                    name='ReplyTemplate',
                ),
                migrations.DeleteModel(
                    name='BuyerMessage',
                ),
                migrations.DeleteModel(
                    name='Conversation',
                ),
                migrations.DeleteModel(
                    name='Reply',
                ),
                migrations.DeleteModel(
                    name='ReplyAttachment',
                ),
            ],
            database_operations=[],
        )
    ]
