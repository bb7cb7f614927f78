# skulens in a container: `skulens serve` on 0.0.0.0:8080, its home (database, images, versions) in the
# SKULENS_HOME volume, run as an unprivileged user. Two stages: the build stage installs every dependency and
# compiles (TypeScript, the console); the runtime stage keeps production dependencies and the build only.
#   docker build -t skulens .
#   docker run -d --name skulens -p 8080:8080 -v skulens-home:/var/lib/skulens skulens
#   docker exec skulens skulens keys create --role admin
# Optional TF.js models (COCO boxes, moderation): docker build --build-arg OPTIONAL=1 -t skulens .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY console ./console
COPY tsconfig.json tsconfig.build.json ./
# `prepare` compiles to dist/ and builds the console during the install.
RUN npm ci --no-audit --no-fund
# Keep production dependencies only; then, if asked, the optional TF.js packages (without the dev ones again).
ARG OPTIONAL=0
RUN npm prune --omit=dev --no-audit --no-fund && if [ "$OPTIONAL" = 1 ]; then npm run install:optional -- --omit=dev; fi

FROM node:20-bookworm-slim
ENV NODE_ENV=production SKULENS_HOME=/var/lib/skulens
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
COPY bin ./bin
COPY models ./models
RUN ln -s /app/bin/skulens.js /usr/local/bin/skulens \
  && groupadd --system skulens && useradd --system --gid skulens --home-dir /var/lib/skulens skulens \
  && mkdir -p /var/lib/skulens && chown skulens:skulens /var/lib/skulens
USER skulens
VOLUME ["/var/lib/skulens"]
EXPOSE 8080
# /health needs no key; node is in the image, so no curl is needed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["skulens"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
