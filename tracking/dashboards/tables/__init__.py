"""The dashboards' tables: sortable on the page (django-tables2) and exported as CSV or XLSX (download).
columns (shared columns and cell writers), cohort (the dashboard, trend, gaps, variation, a group's
pupils), attainment8, pastoral (year lists, transition, tutor)."""
