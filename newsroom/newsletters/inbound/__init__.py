"""Mail that comes back to the newsletters: bounces, complaints, unsubscribes.

`receive_mail` hands each message to `reading.read_message()`, which says
what it is and which of our signed tokens it carries, without the
database; `actions.act()` then changes what the message is entitled to
change, in one transaction: a 5.x.x bounce fails its delivery and marks
the address bounced, a spam complaint marks it complained, a mail to the
unsubscribe address unsubscribes it. Anything else changes nothing.
"""
