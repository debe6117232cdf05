"""What is followed up, as declared data: the indicator catalogue, Sweden's geography, the strategies and the
handlingsplaner (action plans). Read and validated here; nothing is computed."""
