namespace Serverless.Storage.Tests;

/// <summary>A body of unstated length is read only up to the limit, not whole and then measured.</summary>
public sealed class StreamBytesTests
{
    [Fact]
    public async Task A_stream_of_unknown_length_stops_being_read_at_the_limit()
    {
        using var endless = new CountingStream();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StreamBytes.ReadAllAsync(endless, knownLength: -1, maxBytes: 1_000_000, default));

        Assert.Contains("more than the 1000000 bytes allowed", error.Message);
        Assert.InRange(endless.Taken, 1_000_001, 1_000_000 + 81_920);
    }

    [Fact]
    public async Task A_stream_within_the_limit_is_read_whole()
    {
        using var stream = new MemoryStream(new byte[12_345]);
        Assert.Equal(12_345, (await StreamBytes.ReadAllAsync(new NonSeekable(stream), -1, 12_345, default)).Length);
    }

    /// <summary>An endless body that counts what was taken from it.</summary>
    private sealed class CountingStream : Stream
    {
        public long Taken { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Taken; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            Taken += count;
            return count;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
