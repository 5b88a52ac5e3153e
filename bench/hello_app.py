"""The baseline for bench/pages.py: a hello-world Flask app served the same way."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "สวัสดี"
