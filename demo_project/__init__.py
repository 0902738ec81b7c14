"""dagdeck's example pipeline: orders in, anonymised warehouse copy and a sales report out."""
