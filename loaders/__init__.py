"""Files in: the quarterly Excel template (``template`` writes it, ``workbook`` reads it,
``importer`` runs parse -> validate -> preview -> commit), and narrative reports."""
