"""The baseline: a hello-world Flask view, served by the same gunicorn configuration as SPTF."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, World!"
