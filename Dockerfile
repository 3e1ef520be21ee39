# Static linkvault binary on distroless, running as a non-root user.
#   docker build -t linkvault .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" linkvault check
# --user runs linkvault as the owner of your folder. Without it the image's
# user (uid 65532) cannot write linkvault.db and archive/ into a folder
# mounted from the host, and linkvault exits 3 with "permission denied
# (linkvault runs as uid 65532, /work belongs to uid 1000; … add --user …)".
# Any uid works: linkvault needs no home folder and no /etc/passwd entry.
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
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/linkvault"]
CMD ["check"]
