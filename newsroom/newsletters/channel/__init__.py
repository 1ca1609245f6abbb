"""The series' channels: the issue posted once to Telegram, and ready to paste elsewhere.

`text` turns an issue into channel text (Telegram's HTML subset, split to
its limits, and WhatsApp's plain text) and `telegram` is the Bot API client;
neither touches the database. `posts` is the ORM side: what an issue says,
and the one `ChannelPost` that keeps it from being posted twice.
"""
