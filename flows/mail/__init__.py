"""Mail: one port (`port.Mailbox`), one adapter per transport, shared MIME handling."""
