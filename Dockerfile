# Switchyard: one image for the gateway (`switchyard run`, the default), the simulated
# engines (`switchyard sim`) and the lab's traffic generator (`switchyard traffic`).
#   docker build -t switchyard .
#   docker run -p 1975:1975 -p 1064:1064 switchyard            # the gateway + embedded fleet
#   docker run switchyard sim --model Qwen/Qwen3-8B             # one simulated engine on :8000
ARG NODE_IMAGE=node:20.20-alpine

# 1. Compile the TypeScript (dev dependencies needed only here).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json

# 2. Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. The runtime: compiled JavaScript, production node_modules, a non-root user.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
RUN chmod 755 dist/src/cli/main.js && ln -s /app/dist/src/cli/main.js /usr/local/bin/switchyard
# The image's own unprivileged user (uid 1000); every port used is above 1023.
USER node
# API, admin (/health, /metrics), and a simulated engine's default port.
EXPOSE 1975 1064 8000
# Exit 0 while the gateway's admin /health answers 200 (503 while draining); services
# running `sim` or `traffic` from this image set their own healthcheck in compose.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["switchyard", "healthcheck"]
ENTRYPOINT ["switchyard"]
CMD ["run"]
