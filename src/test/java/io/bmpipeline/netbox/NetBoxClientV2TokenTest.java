package io.bmpipeline.netbox;

/** The client contract with a v2 token ({@code Authorization: Bearer nbt_…}, NetBox 4.5+). */
class NetBoxClientV2TokenTest extends NetBoxClientContract {
    @Override
    protected NetBoxToken token() {
        return live.tokenV2();
    }
}
