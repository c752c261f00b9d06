# One image for every sipcap app; the compose file picks the app with `command`.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpcap-dev python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build --outputStyle=static && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpcap0.8 tini && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/sipcap
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/sql ./sql
COPY --from=build /src/package.json ./
ENV NODE_ENV=production KAFKAJS_NO_PARTITIONER_WARNING=1
ENTRYPOINT ["/usr/bin/tini", "--", "node"]
CMD ["dist/apps/hep-agent/main.js"]
