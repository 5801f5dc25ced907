"""Reading bytes a sender controls: every resource limit in one place (`limits`), and the bounded
readers that enforce them (zip archives, MIME structure, TNEF, LibreOffice conversions)."""
