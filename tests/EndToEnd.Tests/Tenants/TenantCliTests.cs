using System.Net;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;

namespace Serverless.EndToEnd.Tests.Tenants;

/// <summary>`serverless tenants` and `serverless keys` against a real host, with the master key, as the README shows them.</summary>
[Collection(JobStackCollection.Name)]
public sealed class TenantCliTests(JobStack stack) : IAsyncLifetime
{
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("api", stack.HostEnvironment("TenantsCli" + Guid.NewGuid().ToString("N")[..6]));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Fact]
    public async Task Tenants_and_keys_commands_set_list_create_revoke_and_delete()
    {
        var set = await CliAsync("tenants", "set", "team-b", "--allow-source", "s3://photos/team-b/*", "--allow-source", "azblob://photos@devstoreaccount1/team-b/*",
            "--allow-output", "s3://photos/results-b/*", "--models-dir", "team-b");
        Assert.Equal((0, "tenant team-b set"), (set.ExitCode, set.StdOut.Trim()));
        var list = await CliAsync("tenants", "list", "-o", "json");
        Assert.Equal(0, list.ExitCode);
        var tenant = JsonDocument.Parse(list.StdOut).RootElement.GetProperty("tenants")[0];
        Assert.Equal(["s3://photos/team-b/*", "azblob://photos@devstoreaccount1/team-b/*"], tenant.GetProperty("allowSources").EnumerateArray().Select(p => p.GetString()));
        var table = await CliAsync("tenants", "list");
        Assert.Contains("team-b", table.StdOut, StringComparison.Ordinal);
        Assert.Contains("s3://photos/results-b/*", table.StdOut, StringComparison.Ordinal);

        // The key alone on stdout: a script captures it with $(serverless keys create ...).
        var created = await CliAsync("keys", "create", "--tenant", "team-b", "--role", "submitter");
        Assert.Equal(0, created.ExitCode);
        var key = created.StdOut.TrimEnd('\n');
        Assert.Matches("^[A-Za-z0-9_-]{43}$", key);
        using (var http = new JobsHttp(host!.BaseUrl, key))
            await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await http.GetAsync("api/jobs"));
        var keys = await CliAsync("keys", "list", "-o", "json");
        var id = JsonDocument.Parse(keys.StdOut).RootElement.GetProperty("keys")[0].GetProperty("id").GetString()!;
        Assert.Contains(id, created.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(key, keys.StdOut, StringComparison.Ordinal);
        Assert.Contains($"{id}", (await CliAsync("keys", "list")).StdOut, StringComparison.Ordinal);

        var revoked = await CliAsync("keys", "revoke", id);
        Assert.Equal((0, $"key {id} revoked"), (revoked.ExitCode, revoked.StdOut.Trim()));
        using (var http = new JobsHttp(host.BaseUrl, key))
            await TenantAdminTests.AssertStatusAsync(HttpStatusCode.Unauthorized, await http.GetAsync("api/jobs"));

        var deleted = await CliAsync("tenants", "delete", "team-b");
        Assert.Equal((0, "tenant team-b deleted"), (deleted.ExitCode, deleted.StdOut.Trim()));

        // Errors: one line, exit 1 for the host's refusal, 2 for a bad command line (nothing sent).
        var unknown = await CliAsync("keys", "create", "--tenant", "team-b", "--role", "reader");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("404", unknown.StdErr, StringComparison.Ordinal);
        Assert.Equal("", unknown.StdOut);
        var badPattern = await CliAsync("tenants", "set", "team-c", "--allow-source", "ftp://x/*", "--allow-output", "s3://photos/o/*");
        Assert.Equal(1, badPattern.ExitCode);
        Assert.Contains("allowSources", badPattern.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, (await CliAsync("keys", "create", "--tenant", "team-b", "--role", "owner")).ExitCode);
        Assert.Equal(2, (await CliAsync("tenants", "set", "team-c", "--allow-output", "s3://photos/o/*")).ExitCode);
        var notAdmin = await HostProcess.RunCliAsync(["tenants", "list", "--url", host.BaseUrl.ToString(), "--key", JobStack.FunctionKey]);
        Assert.Equal(1, notAdmin.ExitCode);
        Assert.Contains("403", notAdmin.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_set_takes_a_weight_and_quotas_and_priority_refuses_a_bad_name_before_sending()
    {
        var set = await CliAsync("tenants", "set", "team-q", "--allow-source", "s3://photos/team-q/*", "--allow-output", "s3://photos/results-q/*",
            "--weight", "3", "--max-running-jobs", "2", "--max-units", "8", "--max-images-per-job", "100000", "--max-queued-jobs", "5");
        Assert.Equal((0, "tenant team-q set"), (set.ExitCode, set.StdOut.Trim()));
        var tenant = JsonDocument.Parse((await CliAsync("tenants", "list", "-o", "json")).StdOut).RootElement.GetProperty("tenants")
            .EnumerateArray().Single(t => t.GetProperty("name").GetString() == "team-q");
        Assert.Equal((3, 2, 8, 100000L, 5), (tenant.GetProperty("weight").GetInt32(), tenant.GetProperty("maxRunningJobs").GetInt32(),
            tenant.GetProperty("maxUnits").GetInt32(), tenant.GetProperty("maxImagesPerJob").GetInt64(), tenant.GetProperty("maxQueuedJobs").GetInt32()));

        var zero = await CliAsync("tenants", "set", "team-q", "--allow-source", "s3://photos/team-q/*", "--allow-output", "s3://photos/results-q/*", "--weight", "0");
        Assert.Equal(1, zero.ExitCode);
        Assert.Contains("weight", zero.StdErr, StringComparison.Ordinal);
        var badName = await CliAsync("priority", "some-job", "urgent");
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("'urgent' is not a priority: use high, normal, low", badName.StdErr, StringComparison.Ordinal);
        var unknown = await CliAsync("priority", "no-such-job", "low");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("404", unknown.StdErr, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string StdOut, string StdErr)> CliAsync(params string[] args) =>
        HostProcess.RunCliAsync([.. args, "--url", host!.BaseUrl.ToString(), "--key", JobStack.MasterKey], timeout: TimeSpan.FromMinutes(2));
}
