// The host as `serverless host --role worker --port N` runs it, except that reading an image whose
// key contains CRASH_MARKER kills the process (Environment.FailFast), the way a corrupt file that
// crashes native decoding code would. Tests use it to check that such a batch is not retried for
// ever: the job ends, the image is worker_crashed, and its batch mates are classified.
using Microsoft.Extensions.DependencyInjection;
using Serverless.Host.Hosting;
using Serverless.Storage;
using Serverless.WorkerProcess;
using Serverless.Jobs;

var marker = Environment.GetEnvironmentVariable("CRASH_MARKER") is { Length: > 0 } m ? m : "crash-worker";
var port = args.Length > 0 ? args[0] : "7071";
var app = HostApp.Build(HostRole.Worker, $"http://127.0.0.1:{port}", customization: new HostCustomization(Services: services =>
    services.AddSingleton<IJobStorage>(sp => new CrashingJobStorage(new JobStorage(sp.GetRequiredService<StorageConnections>()), marker))));
await app.RunAsync();
