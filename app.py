"""Entry point: `flask --app app run`, `gunicorn app:app`."""
from ideas import create_app
from ideas.extensions import db
from ideas.models import Comment, Idea, Process, User, Vote

app = create_app()


@app.shell_context_processor
def shell_context():
    return {"db": db, "User": User, "Process": Process, "Idea": Idea, "Vote": Vote, "Comment": Comment}
