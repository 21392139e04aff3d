using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Activities;
using Serverless.BatchInference.Contracts;

namespace Serverless.App;

/// <summary>What the Functions app adds to the worker: the services both hosts share, read from the same settings.</summary>
internal static class AppServices
{
    public static FunctionsApplicationBuilder AddBatchInferenceApp(this FunctionsApplicationBuilder builder)
    {
        // The Functions host reads host.json, its worker does not: read it here too, so the hub name,
        // the batch defaults and the poison cap come from the one file both hosts ship.
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "host.json"), optional: true, reloadOnChange: false);
        builder.Services.AddBatchInference(builder.Configuration);
        // Orchestration inputs, outputs and custom status in the hub as camelCase JSON, like the self-host writes them.
        builder.Services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(BatchJson.Options));
        builder.Services.AddHostedService<CancelActivitiesOnStop>();
        return builder;
    }
}

/// <summary>Cancels running activities when the Functions host stops this worker (the activities' only cancellation).</summary>
internal sealed class CancelActivitiesOnStop(IHostApplicationLifetime lifetime, ActivityShutdown shutdown) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(shutdown.CancelRunning);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
