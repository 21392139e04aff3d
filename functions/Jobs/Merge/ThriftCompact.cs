namespace Serverless.Jobs.Merge;

/// <summary>
/// Thrift's compact protocol as a tree, read and written back unchanged (what a Parquet footer is):
/// structs of numbered fields, lists, sets, maps and scalars, with no schema. Enough to rewrite
/// the offsets of a Parquet footer (<see cref="ParquetFooter"/>), which Parquet.Net reads into its
/// object model but cannot write on its own. Integers are kept as <see cref="long"/> with their wire
/// type; a boolean inside a list, set or map stays the byte it was.
/// </summary>
internal static class ThriftCompact
{
    // The compact protocol's type codes.
    public const byte True = 1, False = 2, I8 = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12, Uuid = 13;

    /// <summary>A struct: its fields in wire order.</summary>
    public sealed class Node
    {
        public List<Field> Fields { get; } = [];

        public Field? this[short id] => Fields.Find(f => f.Id == id);
    }

    /// <summary>A field: its id, its compact type (a boolean field is <see cref="True"/> or <see cref="False"/>) and its value.</summary>
    public sealed class Field(short id, byte type, object value)
    {
        public short Id { get; } = id;
        public byte Type { get; } = type;
        public object Value { get; set; } = value;
    }

    /// <summary>A list or set: its element type and elements.</summary>
    public sealed record Items(byte ElementType, List<object> Values);

    /// <summary>A map: its key and value types and its entries, key then value.</summary>
    public sealed record Pairs(byte KeyType, byte ValueType, List<object> KeysAndValues);

    /// <summary>Reads the struct at the start of <paramref name="bytes"/>.</summary>
    public static Node Read(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        return ReadStruct(bytes, ref at);
    }

    /// <summary>Writes <paramref name="node"/> as a struct.</summary>
    public static byte[] Write(Node node)
    {
        var output = new MemoryStream();
        WriteStruct(output, node);
        return output.ToArray();
    }

    private static Node ReadStruct(ReadOnlySpan<byte> bytes, ref int at)
    {
        var node = new Node();
        short last = 0;
        while (true)
        {
            var header = bytes[at++];
            if (header == 0)
                return node;
            var type = (byte)(header & 0x0F);
            var delta = header >> 4;
            last = delta == 0 ? (short)Unzigzag(ReadVarint(bytes, ref at)) : (short)(last + delta);
            object value = type is True or False ? type == True : ReadValue(bytes, ref at, type);
            node.Fields.Add(new Field(last, type, value));
        }
    }

    private static object ReadValue(ReadOnlySpan<byte> bytes, ref int at, byte type)
    {
        switch (type)
        {
            case True or False or I8:
                return bytes[at++];
            case I16 or I32 or I64:
                return Unzigzag(ReadVarint(bytes, ref at));
            case Double:
                at += 8;
                return bytes.Slice(at - 8, 8).ToArray();
            case Uuid:
                at += 16;
                return bytes.Slice(at - 16, 16).ToArray();
            case Binary:
                var length = checked((int)ReadVarint(bytes, ref at));
                at += length;
                return bytes.Slice(at - length, length).ToArray();
            case List or Set:
                var head = bytes[at++];
                var count = head >> 4 == 0x0F ? checked((int)ReadVarint(bytes, ref at)) : head >> 4;
                var element = (byte)(head & 0x0F);
                var values = new List<object>(count);
                for (var i = 0; i < count; i++)
                    values.Add(ReadValue(bytes, ref at, element));
                return new Items(element, values);
            case Map:
                var size = checked((int)ReadVarint(bytes, ref at));
                var kinds = size > 0 ? bytes[at++] : (byte)0;
                var entries = new List<object>(size * 2);
                for (var i = 0; i < size; i++)
                {
                    entries.Add(ReadValue(bytes, ref at, (byte)(kinds >> 4)));
                    entries.Add(ReadValue(bytes, ref at, (byte)(kinds & 0x0F)));
                }
                return new Pairs((byte)(kinds >> 4), (byte)(kinds & 0x0F), entries);
            case Struct:
                return ReadStruct(bytes, ref at);
            default:
                throw new InvalidDataException($"a Thrift compact value of unknown type {type}");
        }
    }

    private static void WriteStruct(Stream output, Node node)
    {
        short last = 0;
        foreach (var field in node.Fields)
        {
            var type = field.Type is True or False ? ((bool)field.Value ? True : False) : field.Type;
            var delta = field.Id - last;
            if (delta is > 0 and <= 15)
                output.WriteByte((byte)(delta << 4 | type));
            else
            {
                output.WriteByte(type);
                WriteVarint(output, Zigzag(field.Id));
            }
            last = field.Id;
            if (type is not (True or False))
                WriteValue(output, type, field.Value);
        }
        output.WriteByte(0);
    }

    private static void WriteValue(Stream output, byte type, object value)
    {
        switch (type)
        {
            case True or False or I8:
                output.WriteByte((byte)value);
                break;
            case I16 or I32 or I64:
                WriteVarint(output, Zigzag((long)value));
                break;
            case Double or Uuid:
                output.Write((byte[])value);
                break;
            case Binary:
                var bytes = (byte[])value;
                WriteVarint(output, (ulong)bytes.Length);
                output.Write(bytes);
                break;
            case List or Set:
                var items = (Items)value;
                if (items.Values.Count < 15)
                    output.WriteByte((byte)(items.Values.Count << 4 | items.ElementType));
                else
                {
                    output.WriteByte((byte)(0xF0 | items.ElementType));
                    WriteVarint(output, (ulong)items.Values.Count);
                }
                foreach (var item in items.Values)
                    WriteValue(output, items.ElementType, item);
                break;
            case Map:
                var pairs = (Pairs)value;
                WriteVarint(output, (ulong)(pairs.KeysAndValues.Count / 2));
                if (pairs.KeysAndValues.Count > 0)
                    output.WriteByte((byte)(pairs.KeyType << 4 | pairs.ValueType));
                for (var i = 0; i < pairs.KeysAndValues.Count; i += 2)
                {
                    WriteValue(output, pairs.KeyType, pairs.KeysAndValues[i]);
                    WriteValue(output, pairs.ValueType, pairs.KeysAndValues[i + 1]);
                }
                break;
            case Struct:
                WriteStruct(output, (Node)value);
                break;
            default:
                throw new InvalidDataException($"a Thrift compact value of unknown type {type}");
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new InvalidDataException("a Thrift varint longer than 64 bits");
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }

    private static long Unzigzag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static ulong Zigzag(long value) => (ulong)((value << 1) ^ (value >> 63));
}
