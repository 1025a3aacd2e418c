# McpApi container: SDK build stage -> ASP.NET Core runtime, non-root, port 8080.
# CI runs the same restore/publish commands (scripts/test.sh) and lints this file, since no Docker engine runs there.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props appsettings*.json ./
COPY McpApi/McpApi.csproj McpApi/
RUN dotnet restore McpApi/McpApi.csproj
COPY McpApi/ McpApi/
RUN dotnet publish McpApi/McpApi.csproj -c Release --no-restore -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/publish ./
RUN mkdir -p /app/data && chown -R "$APP_UID" /app/data
# Inside a container the server listens on all interfaces (HTTP 8080, raw TCP JSON lines 5050);
# set AllowedHosts (and Mcp__AllowedOrigins__0 for browsers) to your host names in production.
# No authentication is set here on purpose: the container refuses to start open until you choose, either
# an API key (-e Auth__Mode=ApiKey -e Auth__ApiKeys__0__Name=... __Hash=... __Scopes__0=...; see README
# "Running on a network", `dotnet McpApi.dll keys new` makes one) or -e Auth__AllowAnonymous=true to run it open.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    AllowedHosts=* \
    McpApi__Tcp__Address=* \
    McpApi__Tcp__Port=5050 \
    ConnectionStrings__McpApi="Data Source=/app/data/mcpapi.db"
VOLUME ["/app/data"]
EXPOSE 8080 5050
USER $APP_UID
HEALTHCHECK --interval=15s --timeout=3s --retries=4 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["dotnet", "McpApi.dll"]
