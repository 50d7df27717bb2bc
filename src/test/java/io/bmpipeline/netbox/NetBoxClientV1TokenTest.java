package io.bmpipeline.netbox;

/** The client contract with a v1 token ({@code Authorization: Token …}). */
class NetBoxClientV1TokenTest extends NetBoxClientContract {
    @Override
    protected NetBoxToken token() {
        return live.tokenV1();
    }
}
