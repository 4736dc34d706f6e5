"""The report reader: proposes figures from a narrative quarterly report (DESIGN.md section 8).

Steps, one module each: ``decode`` (bytes and legacy encodings to Unicode), ``extract`` (text,
.docx, PDF text layers), ``ocr`` (scans through Tesseract), ``period`` (the report's quarter,
number and date), ``numbers`` (numbers in running text), ``match`` (indicator phrases),
``checks`` (sums and parts), ``reader`` (the whole reading as one document), ``review`` (a
person's review file and the confirmation that stores a batch).
"""
