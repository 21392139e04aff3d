using Serverless.App.Functions;
using Serverless.App.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.App.Tests;

/// <summary>POST api/classify through the Functions app: the self-host's contract and errors.</summary>
[Collection(AppHubCollection.Name)]
public sealed class ClassifyFunctionTests(AppHub hub)
{
    [Fact]
    public async Task A_photo_gets_its_labels()
    {
        var photo = Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).First();
        var request = IResults.Request("POST", $"/api/classify?model={Uri.EscapeDataString(hub.MobileNet)}&top=3", await File.ReadAllBytesAsync(photo), "image/jpeg");

        var (status, _, body) = await IResults.RunAsync(await hub.Function<ClassifyFunction>().Classify(request, default));

        Assert.Equal(200, status);
        var top = body.GetProperty("top").EnumerateArray().ToList();
        Assert.Equal(3, top.Count);
        Assert.All(top, t => Assert.False(string.IsNullOrEmpty(t.GetProperty("label").GetString())));
    }

    [Fact]
    public async Task A_corrupt_file_is_a_400_with_its_reason_code()
    {
        var photo = await File.ReadAllBytesAsync(Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).First());
        var request = IResults.Request("POST", $"/api/classify?model={Uri.EscapeDataString(hub.MobileNet)}", photo[..(photo.Length / 3)], "image/jpeg");

        var (status, _, body) = await IResults.RunAsync(await hub.Function<ClassifyFunction>().Classify(request, default));

        Assert.Equal(400, status);
        Assert.Equal("corrupt_image", body.GetProperty("code").GetString());
    }
}
