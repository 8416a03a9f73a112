"""Pure rendering shared by the documents (portfolio, review, insights): inline SVG charts, HTML pages, Markdown."""
