"""One locustfile per load profile (`socle-bench load --profile NAME`)."""
