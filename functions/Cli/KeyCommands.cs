using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Cli;

/// <summary>
/// `serverless keys create|list|revoke`: tenants' keys (the master key) over <c>POST api/keys</c>,
/// <c>GET api/keys</c> and <c>DELETE api/keys/{id}</c>. `keys create` prints the new key alone on
/// stdout (it is shown once; the host keeps only its hash), its id on stderr.
/// </summary>
internal static class KeyCommands
{
    public static Command Create() => new("keys", "Manage tenants' keys (master key).")
    {
        CreateKey(), List(), Revoke(),
    };

    private static Command CreateKey()
    {
        var client = new ClientOptions();
        var tenant = new Option<string>("--tenant") { Description = "The tenant the key belongs to.", Required = true };
        var role = new Option<string>("--role") { Description = "reader, submitter or admin.", Required = true };
        role.AcceptOnlyFromAmong("reader", "submitter", "admin");
        var command = new Command("create", "Create a key of a tenant; prints the key alone on stdout (shown once).") { tenant, role };
        client.AddTo(command, output: false);
        command.SetAction(async (parse, ct) =>
        {
            using var http = client.CreateClient(parse);
            var body = new { tenant = parse.GetValue(tenant), role = parse.GetValue(role) };
            var answer = await http.SendAsync(HttpMethod.Post, "api/keys", JsonContent.Create(body, options: JobsClient.Json), ct);
            if (answer is not { ValueKind: JsonValueKind.Object } created || !created.TryGetProperty("key", out var key) || key.GetString() is not { Length: > 0 } secret)
                throw new JobsClientException("the host's answer to the key creation has no key");
            Console.Error.WriteLine($"key {created.GetProperty("id").GetString()} of tenant {created.GetProperty("tenant").GetString()} ({created.GetProperty("role").GetString()}); it is not shown again");
            Console.WriteLine(secret);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var client = new ClientOptions();
        var command = new Command("list", "List the tenants' keys: id, tenant, role, created (never the keys).");
        client.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var http = client.CreateClient(parse);
            var answer = await http.SendAsync(HttpMethod.Get, "api/keys", null, ct) ?? throw new JobsClientException("empty answer to the key list");
            if (TenantCommands.Problem(answer) is { } problem)
                Console.Error.WriteLine($"warning: {problem}");
            if (client.Json(parse))
            {
                Console.WriteLine(JsonSerializer.Serialize(answer, JobsClient.Json));
                return ExitCodes.Success;
            }
            Console.WriteLine($"{"ID",-18} {"TENANT",-24} {"ROLE",-10} CREATED");
            foreach (var key in answer.GetProperty("keys").EnumerateArray())
                Console.WriteLine($"{key.GetProperty("id").GetString(),-18} {key.GetProperty("tenant").GetString(),-24} {key.GetProperty("role").GetString(),-10} {key.GetProperty("created").GetDateTimeOffset():u}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "The key's id (serverless keys list)." };
        var command = new Command("revoke", "Revoke a key: it stops working within the host's reload interval.") { id };
        client.AddTo(command, output: false);
        command.SetAction(async (parse, ct) =>
        {
            var keyId = parse.GetValue(id)!;
            using var http = client.CreateClient(parse);
            await http.SendAsync(HttpMethod.Delete, $"api/keys/{Uri.EscapeDataString(keyId)}", null, ct);
            Console.WriteLine($"key {keyId} revoked");
            return ExitCodes.Success;
        });
        return command;
    }
}
