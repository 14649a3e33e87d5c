"""Receipts (квитанции): what Правила 354 п. 69 lists, the ГОСТ Р 56042-2014 payment QR code,
the PDF of one receipt and the whole association's receipts as one print-ready PDF."""
