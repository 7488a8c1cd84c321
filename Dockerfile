# Rotor: one image for the web app (`serve`, the default) and the posting workers (`worker`).
# Node 24 runs the TypeScript sources directly (type stripping): there is no build step.
# Build: docker build -t rotor .   Run everything: docker compose up (see compose.yaml).

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (the `node@24` devDependency is not needed: the image is Node 24).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production \
    ROTOR_HOST=0.0.0.0 \
    PORT=3000 \
    ROTOR_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# The data folder holds the refresh journal (and the embedded database when DATABASE_URL is unset).
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
ENTRYPOINT ["node", "--max-semi-space-size=8", "bin/rotor.js"]
CMD ["serve"]
