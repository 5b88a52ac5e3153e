FROM python:3.11-slim
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
CMD ["sh", "-c", "itaflow init && gunicorn --bind 0.0.0.0:8000 --workers 3 --access-logfile - --logger-class web.accesslog.MaskingLogger 'web:create_app()'"]
