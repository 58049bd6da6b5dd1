github_config_url = "https://github.com/elsewhere"
