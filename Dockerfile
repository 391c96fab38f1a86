FROM python:3.11-slim
# WeasyPrint needs Pango to lay out the PDF report; DejaVu gives it fonts to embed.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home app
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . && SECRET_KEY=collectstatic python manage.py collectstatic --noinput
USER app
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "config.asgi:application"]
