# The image every itaflow service of docker-compose.yml runs (migrate, web, worker, beat); its CMD is the web
# replica's command, the one the native stack test starts (config/stack.py). tests/test_deploy.py checks this
# file here, where there is no Docker engine: a pinned base, apt and pip without caches, every path copied
# exists, a user other than root, a health check (compose's), and that command.
FROM python:3.11.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ITAFLOW_INSTANCE=/data
WORKDIR /app
# Pango and HarfBuzz for WeasyPrint's PDFs; Laksaman, the Sarabun-compatible Thai font they are set in
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-thai-tlwg && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY workflow workflow
COPY web web
COPY tasks tasks
COPY config config
RUN pip install --no-cache-dir ".[postgres]" && useradd --system --home /data itaflow && mkdir -p /data \
    && chown itaflow /data
USER itaflow
EXPOSE 8000
# No HEALTHCHECK here: the workers, beat and the migrate step run this image too and serve no port; the web
# service's health check is docker-compose.yml's.
# the schema first, once per deployment: `docker run IMAGE itaflow init` (compose's migrate service)
CMD ["gunicorn", "--config", "python:config.gunicorn", "web:create_app()"]
