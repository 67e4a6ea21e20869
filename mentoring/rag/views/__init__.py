"""The Academic RAG's pages: sheets (windows, a group's sheet, the review, the breakfast), actions and
printing (the printed monthly sheets)."""
