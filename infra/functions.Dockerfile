# syntax=docker/dockerfile:1
# The Functions app (functions/App, assembly Serverless.App) on the Azure Functions host image,
# for the functions-host kustomize overlay (infra/k8s/overlays/functions-host). Build from the
# repository root:
#   docker build -f infra/functions.Dockerfile -t serverless-functions:dev .
# The Functions host runs the app from /home/site/wwwroot; which functions a pod runs is set by
# its Deployment (AzureFunctionsJobHost__functions__N). tests/Infra.Tests/FunctionsDockerfileTests
# checks this file statically (CI has no container engine and cannot run the Functions host).

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY . .
# The Functions SDK generates and restores its WorkerExtensions project during this publish.
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish functions/App/Serverless.App.csproj -c Release -o /home/site/wwwroot

FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated${DOTNET_VERSION} AS runtime
COPY --from=build /home/site/wwwroot /home/site/wwwroot
# Port 8080, not the image's 80: the pods run as a non-root user without NET_BIND_SERVICE.
# HOME and TMPDIR on /tmp: the root file system is read-only on the cluster (an emptyDir at /tmp).
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    FUNCTIONS_WORKER_RUNTIME=dotnet-isolated \
    ASPNETCORE_URLS=http://+:8080 \
    HOME=/tmp \
    TMPDIR=/tmp \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
# Numeric, so runAsNonRoot can verify it; the same UID as the self-host image.
USER 1654
EXPOSE 8080
