using System.Runtime.CompilerServices;

// The `serverless` executable starts the host (HostApp, HostRole) from its `host` command.
[assembly: InternalsVisibleTo("serverless")]
// The end-to-end project also unit-tests a few internal pieces of the host.
[assembly: InternalsVisibleTo("Serverless.EndToEnd.Tests")]
// The orchestration benchmark runs no-op activities on the self-host's own DTFx wiring and settings.
[assembly: InternalsVisibleTo("Serverless.Bench")]
// The orchestrator tests and the Functions app tests drive the self-host's worker and client in process.
[assembly: InternalsVisibleTo("Serverless.Orchestrations.Tests")]
