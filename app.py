from remiss import create_app

app = create_app()
