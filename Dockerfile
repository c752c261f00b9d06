# One image for every sipcap app; the compose file picks the app with `command`.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpcap-dev python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build --outputStyle=static && npm prune --omit=dev

FROM node:20-bookworm-slim
# The apps run as the unprivileged `node` user (uid 1000). Raw capture needs CAP_NET_RAW and CAP_NET_ADMIN:
# only /usr/local/bin/node-raw (a copy of node, used by the raw agents) carries them as file capabilities,
# and they take effect only where compose adds them (cap_add; every other service drops all capabilities).
RUN apt-get update && apt-get install -y --no-install-recommends libpcap0.8 tini libcap2-bin \
 && cp /usr/local/bin/node /usr/local/bin/node-raw \
 && setcap cap_net_raw,cap_net_admin+ep /usr/local/bin/node-raw \
 && apt-get purge -y libcap2-bin && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/sipcap
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/sql ./sql
# A few sample calls, so a fresh deployment can be checked end to end:
#   docker compose run --rm cli replay samples/sample-calls.pcap --to hep-agent:9060 --now
COPY --from=build /src/samples ./samples
COPY --from=build /src/package.json ./
ENV NODE_ENV=production KAFKAJS_NO_PARTITIONER_WARNING=1
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node"]
CMD ["dist/apps/hep-agent/main.js"]
