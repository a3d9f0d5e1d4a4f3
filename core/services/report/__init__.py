"""The printable report (HTML here, PDF in ``gui.report_pdf``): one model, two renderings."""
