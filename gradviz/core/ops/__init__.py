"""The op table (``table.ROWS``) and its rows, grouped by kind of op."""
