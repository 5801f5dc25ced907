"""The emails the system writes: Swedish subject and body (plain text and HTML) per message kind,
rendered from the Jinja2 templates under `templates/email/`."""
