using System.Reflection;
using System.Text;
using System.Text.Json;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Runtime.Worker.StoreAccess;

namespace HeavyJobs.Runtime.Tests.Protocol;

/// <summary>
/// The pipes' generated JSON contract: everything a monitor and its workers write to each other must be in
/// <see cref="WireJsonContext"/>, or a trimmed or native-AOT build would serialize it by reflection over members the
/// trimmer removed (bench: worker_builds, under_monitor).
/// </summary>
public sealed class WireJsonContextTests
{
    public static TheoryData<string> Messages => new(
        typeof(WireMessage).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(WireMessage)) && !t.IsAbstract).Select(t => t.Name).Order(StringComparer.Ordinal));

    public static TheoryData<string> StoreCallMethods => new(
        typeof(IWorkerStoreCalls).GetMethods().Select(m => m.Name).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_type_is_in_the_generated_contract(string name)
    {
        var type = typeof(WireMessage).Assembly.GetTypes().Single(t => t.Name == name);

        Assert.NotNull(WireJsonContext.Default.GetTypeInfo(type));
    }

    [Theory]
    [MemberData(nameof(StoreCallMethods))]
    public void Every_store_call_carries_its_parameters_and_answer_in_the_generated_contract(string name)
    {
        var method = typeof(IWorkerStoreCalls).GetMethod(name)!;
        var carried = new List<Type> { method.GetParameters()[0].ParameterType };
        if (method.ReturnType.IsGenericType)
        {
            var answer = method.ReturnType.GetGenericArguments()[0];
            carried.Add(Nullable.GetUnderlyingType(answer) ?? answer);
            if (answer.IsGenericType && answer.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            {
                // The monitor answers with the list it was given as List<T> (StoreCallServer.Listed).
                carried.Add(typeof(List<>).MakeGenericType(answer.GetGenericArguments()));
            }
        }

        Assert.All(carried, t => Assert.True(WireJsonContext.Default.GetTypeInfo(t) is not null, $"{name}: {t} is not in WireJsonContext"));
    }

    [Fact]
    public void A_message_is_written_type_first_in_camel_case_as_the_protocol_documents()
    {
        var heartbeat = new HeartbeatMessage("busy", [7], 10, 9, 1, 3, [new HeartbeatSample("demo.primes", 0, 10, 9, 1)]);

        using var line = Wire.SerializeLine(heartbeat);

        Assert.Equal(
            """{"type":"heartbeat","state":"busy","chunks":[7],"items":10,"good":9,"bad":1,"checkpoints":3,"samples":[{"type":"demo.primes","stage":0,"items":10,"good":9,"bad":1}]}""" + "\n",
            Encoding.UTF8.GetString(line.ToArray()));
    }

    [Fact]
    public void A_store_call_writes_its_parameter_record_through_the_generated_contract()
    {
        // Without reflection: a resolver of the context alone refuses a type it does not list.
        var strict = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = WireJsonContext.Default };
        var call = new StoreCallMessage(4, StoreCalls.SlotRelease, new HeavyJobs.Storage.Politeness.ServerSlotReleaseParams("whois.example", 2));

        Assert.Equal("""{"type":"call","seq":4,"op":"slot.release","args":{"server":"whois.example","slot":2}}""", JsonSerializer.Serialize(call, strict));
        Assert.Throws<NotSupportedException>(() => JsonSerializer.Serialize(new StoreCallMessage(5, "x", new Uri("http://x")), strict));
    }
}
