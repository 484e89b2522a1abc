package io.storegw.gateway.event;

/** Who is publishing: names the CloudEvents source and the topic prefix. */
public record GatewayIdentity(String tenant, String store, String gateway) {

    /** {@code tenant/store/gateway}: how the journal, {@code storegw status} and the outbox name this gateway. */
    public String name() {
        return tenant + "/" + store + "/" + gateway;
    }

    /** The CloudEvents {@code source}: {@code urn:storegw:{tenant}:{store}:{gateway}}. */
    public String source() {
        return "urn:storegw:" + tenant + ":" + store + ":" + gateway;
    }

    /** {@code storegw/v1/{tenant}/{store}/{gateway}}: every topic of this gateway starts here. */
    public String topicPrefix() {
        return "storegw/v1/" + tenant + "/" + store + "/" + gateway;
    }

    /** Where an event type is published. */
    public String topicOf(EventType type) {
        return topicPrefix() + "/evt/" + type.family() + "/" + type.name();
    }

    /** The retained birth / will topic. */
    public String stateTopic() {
        return topicPrefix() + "/state";
    }
}
