"""The operator's servers: SMTP submission (`smtp`, `smtp_protocol`, `smtp_data`, `smtp_replies`), IMAP
(`imap` and its `imap_*` helpers on pymap), their asyncio thread (`aio`), authentication shared by
both (`auth`: PSC tokens, APP certificates) and the delivery engine (`delivery`)."""
