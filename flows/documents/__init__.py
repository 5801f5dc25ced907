"""Word documents: the board's template, reading answers back, and LibreOffice conversion."""
