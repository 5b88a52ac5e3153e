FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ITAFLOW_INSTANCE=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY workflow workflow
COPY web web
COPY tasks tasks
COPY config config
RUN pip install --no-cache-dir ".[postgres]" && useradd --system --home /data itaflow && mkdir -p /data \
    && chown itaflow /data
USER itaflow
EXPOSE 8000
CMD ["sh", "-c", "itaflow init && gunicorn --bind 0.0.0.0:8000 --workers 3 'web:create_app()'"]
