"""The dashboards' pages: cohort (the dashboard, variation, the trust), attainment8 (A8/P8, the estimates
table), pastoral (year lists, transition report, tutor's view) and board (the staffroom Data Board)."""
