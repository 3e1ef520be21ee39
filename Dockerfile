# Static linkvault binary on distroless, running as a non-root user.
#   docker build -t linkvault .
#   docker run --rm -v "$PWD:/work" -w /work linkvault check
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /linkvault ./cmd/linkvault

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /linkvault /usr/local/bin/linkvault
# The numeric uid of distroless' "nonroot" user: Kubernetes' runAsNonRoot can
# only verify a number.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/linkvault"]
CMD ["check"]
